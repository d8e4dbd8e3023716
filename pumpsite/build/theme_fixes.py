"""Material's theme partials as pumpsite overrides them, for accessibility (docs/accessibility.md).
They go into the generated project's `overrides/` beside the content partial (`engine`)."""

# Material 9.x's partials/search.html, the dialog named (axe: aria-dialog-name): a screen
# reader announces "Search, dialog" instead of an unnamed dialog. Long tags are wrapped.
SEARCH_TEMPLATE = """\
{#- pumpsite: Material's search partial; the dialog has a name. -#}
<div class="md-search" data-md-component="search" role="dialog" aria-label="{{ lang.t('search') }}">
  <label class="md-search__overlay" for="__search"></label>
  <div class="md-search__inner" role="search">
    <form class="md-search__form" name="search">
      <input type="text" class="md-search__input" name="query"
        aria-label="{{ lang.t('search.placeholder') }}"
        placeholder="{{ lang.t('search.placeholder') }}" autocapitalize="off" autocorrect="off"
        autocomplete="off" spellcheck="false" data-md-component="search-query" required>
      <label class="md-search__icon md-icon" for="__search">
        {% set icon = config.theme.icon.search or "material/magnify" %}
        {% include ".icons/" ~ icon ~ ".svg" %}
        {% set icon = config.theme.icon.previous or "material/arrow-left" %}
        {% include ".icons/" ~ icon ~ ".svg" %}
      </label>
      <nav class="md-search__options" aria-label="{{ lang.t('search') }}">
        {% if "search.share" in features %}
          <a href="javascript:void(0)" class="md-search__icon md-icon"
            title="{{ lang.t('search.share') }}" aria-label="{{ lang.t('search.share') }}"
            data-clipboard data-clipboard-text="" data-md-component="search-share" tabindex="-1">
            {% set icon = config.theme.icon.share or "material/share-variant" %}
            {% include ".icons/" ~ icon ~ ".svg" %}
          </a>
        {% endif %}
        <button type="reset" class="md-search__icon md-icon" title="{{ lang.t('search.reset') }}"
          aria-label="{{ lang.t('search.reset') }}" tabindex="-1">
          {% set icon = config.theme.icon.close or "material/close" %}
          {% include ".icons/" ~ icon ~ ".svg" %}
        </button>
      </nav>
      {% if "search.suggest" in features %}
        <div class="md-search__suggest" data-md-component="search-suggest"></div>
      {% endif %}
    </form>
    <div class="md-search__output">
      <div class="md-search__scrollwrap" tabindex="0" data-md-scrollfix>
        <div class="md-search-result" data-md-component="search-result">
          <div class="md-search-result__meta">
            {{ lang.t("search.result.initializer") }}
          </div>
          <ol class="md-search-result__list" role="presentation"></ol>
        </div>
      </div>
    </div>
  </div>
</div>
"""

# Material wraps each table in a box that scrolls sideways when the table is wider than the
# screen, and the keyboard cannot reach it (axe: scrollable-region-focusable, WCAG 2.1.1). A box
# that scrolls, a table's or a chart's, joins the tab order, so the arrow keys scroll it.
MAIN_TEMPLATE = """\
{#- pumpsite: Material's main template; wide tables and charts are reachable by keyboard. -#}
{% extends "base.html" %}
{% block scripts %}
  {{ super() }}
  <script>
    (function () {
      var boxes = ".md-typeset__scrollwrap, .pumpsite-summary, .pumpsite-chart-wrap";
      function reach() {
        document.querySelectorAll(boxes).forEach(function (box) {
          if (box.scrollWidth > box.clientWidth) box.setAttribute("tabindex", "0");
          else box.removeAttribute("tabindex");
        });
      }
      document$.subscribe(reach);
      window.addEventListener("resize", reach);
    })();
  </script>
{% endblock %}
"""
