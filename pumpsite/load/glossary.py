"""The built-in glossary: PuMP and XmR terms in plain words, shown as tooltips across the site.

Terms are matched case-sensitively as whole words, so each is written the way it appears in
running text ("natural process limits", "KPI", "XmR chart"). A user's `glossary.yml` adds terms
and overrides these definitions.
"""

from __future__ import annotations

from pumpsite.vocabulary import MIN_LIMIT_POINTS

BUILTIN_GLOSSARY: dict[str, str] = {
    # Goals and measures
    "performance result": (
        "A goal worded as a specific result, as if it were already happening, such as "
        "'We receive no customer complaints'. PuMP's name for a goal or objective."
    ),
    "performance measure": (
        "A number that gives objective evidence of how far a performance result is happening, "
        "tracked over time."
    ),
    "KPI": (
        "Key performance indicator. Here, a measure in the sustain role: business as usual, "
        "watched to keep it healthy, with no target."
    ),
    "OKR": (
        "Objectives and key results: a result you want (the objective) and a few measures with "
        "targets and deadlines (the key results) that show it happened, usually for a quarter."
    ),
    "objective": (
        "In OKRs, the result you want to be true, in words. PuMP calls it a performance result."
    ),
    "key result": (
        "A measure with a target, a deadline and an owner: the evidence that an objective has "
        "been reached. Here, a measure in the improve role."
    ),
    "improvement action": (
        "What is done to change a process so a key result can reach its target: a project or "
        "change with an owner, a start and a planned end, aimed at the root causes of the gap. "
        "Its page says whether a signal in the expected direction followed it."
    ),
    "root cause": (
        "What keeps a process at its current level: the reason for the gap between current and "
        "target performance, which an improvement action addresses."
    ),
    "target": (
        "The level a key result should reach by its deadline. It is reached when the central "
        "line gets there after a real shift, not when a single point crosses it."
    ),
    "deadline": (
        "The date by which a key result's target should be reached. Once it passes, the next "
        "quarter's role is decided again."
    ),
    "baseline": (
        "The values the central line and natural process limits are computed from: by default "
        "the first 20 values of a phase. The limits are then kept fixed."
    ),
    "results map": (
        "A one-page picture of an organisation's performance results and how they support "
        "each other, from its mission down to team contributions. Results only, no actions."
    ),
    "measure definition": (
        "The written details of a measure: what it means, how it is calculated, where the data "
        "comes from, what it includes, how often, its owner and its data custodian."
    ),
    "weasel word": (
        "A word with no specific, obvious and single meaning, such as 'effective' or 'quality'. "
        "Replace it with what you would see or hear if the result were happening."
    ),
    "owner": (
        "The person accountable for a measure and for acting on its signals; for a key result, "
        "the person leading the improvement."
    ),
    "data custodian": (
        "The person or team who looks after a measure's data: collecting it, checking it and "
        "keeping it available."
    ),
    "interpretation note": (
        "The owner's short reading of a chart in words: what the signals mean, what caused them "
        "and what is being done about them."
    ),
    # Roles: improve or sustain
    "business as usual": (
        "Performance to keep at its current, acceptable level. It is monitored with KPIs, has no "
        "target, and gets attention only when a signal shows it has changed."
    ),
    "improvement": (
        "Performance to move to a new level through deliberate, resourced change, tracked with "
        "key results."
    ),
    "sustain": (
        "The role of a measure that is kept healthy as business as usual (a KPI) in a quarter."
    ),
    "improve": (
        "The role of a measure that is being deliberately changed in a quarter: a key result "
        "with a target, a deadline and an owner."
    ),
    # XmR charts
    "XmR chart": (
        "A chart of one value per period (X) and of the moving ranges between them (mR), with "
        "limits computed from the data. It separates routine variation from signals."
    ),
    "X chart": (
        "The main part of an XmR chart: the values over time, with the central line and the "
        "natural process limits."
    ),
    "mR chart": (
        "The lower part of an XmR chart: the moving ranges over time, with their average and "
        "the upper range limit."
    ),
    "moving range": (
        "The size of the change from one value to the next, ignoring its direction. The first "
        "value of a phase, and values next to a gap, have none."
    ),
    "central line": (
        "The average of the baseline values, drawn across the X chart: the typical level of the "
        "process."
    ),
    "natural process limits": (
        "The central line plus and minus 2.66 times the average moving range: where almost all "
        "values fall while the process stays as it is. The voice of the process, not a target."
    ),
    "upper range limit": (
        "3.268 times the average moving range. A moving range above it is an unusually large "
        "jump from one value to the next."
    ),
    "signal": (
        "A pattern that routine variation would rarely produce, showing that something has "
        "changed: look for the cause before reacting."
    ),
    "outlier": "PuMP's name for a point beyond the natural process limits.",
    "point beyond the limits": (
        "A value above the upper or below the lower natural process limit: the clearest sign "
        "that something unusual happened."
    ),
    "long run": (
        "Eight values in a row on the same side of the central line (seven under the PuMP and "
        "NHS rules): a small but lasting shift."
    ),
    "short run": (
        "Three of four values in a row closer to the same natural process limit than to the "
        "central line: a moderate, lasting shift."
    ),
    "trend": (
        "An NHS rule: seven values in a row, each higher (or each lower) than the one before."
    ),
    "two of three": (
        "An NHS rule: two of three values in a row more than two-thirds of the way from the "
        "central line to a limit, all three on the same side."
    ),
    "predictable": (
        "Showing no signals: the values vary routinely within the natural process limits and "
        "will keep doing so unless something changes."
    ),
    "phase": (
        "A stretch of a chart with its own central line and limits, starting where the process "
        "is known to have changed, for a recorded reason."
    ),
    "trial limits": (
        "Limits computed from fewer than 12 values: useful, but provisional until more values "
        "arrive."
    ),
    "run chart": (
        "A chart of values over time with a central line and no limits, used while there are "
        f"too few values (fewer than {MIN_LIMIT_POINTS}) to compute limits."
    ),
    "exclusion": (
        "A value kept out of the limit calculation and the signal rules for a recorded reason, "
        "such as a known one-off incident. It is still shown on the chart."
    ),
    # Targets against limits
    "assurance": (
        "Whether the process as it is can meet a target, judged from its natural process "
        "limits: met consistently, hit or miss, or not met unless the process changes. Not "
        "judged while the latest values are signals."
    ),
    "met consistently": (
        "The target lies outside the natural process limits on the side of poorer performance: "
        "almost every value meets it."
    ),
    "hit or miss": (
        "The target lies within the natural process limits, or on one: routine variation meets "
        "it in some periods and misses it in others, so meeting it once proves nothing."
    ),
    "not met unless the process changes": (
        "The target lies beyond the natural process limits on the side of better performance: "
        "the process as it is cannot reach it; the way the work is done must change."
    ),
}
"""Term -> plain-language definition."""
