"""docs/problems.md from the registry of problem codes (pumpsite/problems.py): `make docs`.

tests/test_problems.py fails when the file is not what this script writes.
"""

from __future__ import annotations

import sys
from pathlib import Path

from pumpsite.problems import REGISTRY, Code

DOC = Path(__file__).resolve().parent.parent / "docs" / "problems.md"
SECTIONS = {
    "PS1": "A file and its YAML",
    "PS2": "References between files",
    "PS3": "Data",
    "PS4": "PuMP lint",
    "PS5": "The glossary and mkdocs.yml",
    "PS6": "Page templates",
    "PS7": "pumpsite's own folders",
    "PS8": "Data sources and `pumpsite pull`",
}
STAGES = {
    "load": "reading the files",
    "checks": "checks across files",
    "lint": "lint",
    "templates": "page templates",
    "build": "`pumpsite build`",
    "sources": "checks of a `source` (not run)",
    "pull": "`pumpsite pull`",
}

EXAMPLES: dict[str, str] = {
    "PS100": "The file is UTF-16: expected UTF-8 text. Save it as UTF-8.",
    "PS101": "The frontmatter is not closed: expected a line '---' after the last key.",
    "PS102": "A tab is used for indentation: YAML allows only spaces. Indent with spaces.",
    "PS103": "Unknown key 'trget' in roles[0]. Did you mean 'target'?",
    "PS104": (
        "Missing required key 'frequency': expected one of daily, weekly, monthly, "
        "quarterly, yearly."
    ),
    "PS105": "'title' expects text: the measure's name, got empty text.",
    "PS106": (
        "'CSP' expects text, got true: YAML reads an unquoted yes as true. Write CSP: \"yes\"."
    ),
    "PS107": "'better' expects one of up, down, neutral, got false.",
    "PS108": "'deadline' in roles[0] expects a date like 2026-12-31, got '2026-13-01'.",
    "PS109": "Duplicate key 'CSP': it is also on line 2. Keep one.",
    "PS110": (
        "Invalid id 'Customer Churn!': the file name becomes a URL, so expected letters, "
        "digits, '-' and '_', starting with a letter or digit. Rename it to "
        "customer-churn.md."
    ),
    "PS111": (
        "Duplicate id 'churn': measures/churn.md has the same file name, and ids must be "
        "unique across measures/ (folders do not count). Rename one of them."
    ),
    "PS112": "Unknown kind a list: expected goal, action or measure (the default).",
    "PS113": "YAML aliases (*name) are not supported here: write the value out in full.",
    "PS114": "A key must be plain text, got a list or mapping as a key.",
    "PS115": (
        "'run_length' in limits expects a whole number of points for a long run (usually 7 "
        "or 8), got the number 20: it must be at most 12."
    ),
    "PS116": (
        "There is no measures/ folder: expected goal and measure files in measures/. Run "
        "pumpsite init, or create the folder."
    ),
    "PS117": "The file cannot be read: Is a directory.",
    "PS118": (
        "The file is a symbolic link: expected a regular file. pumpsite follows no links, "
        "so that no change can bring a file from elsewhere on the computer into the site. "
        "Replace the link with the file itself."
    ),
    "PS119": (
        "Id 'Index' is reserved: index and README (in any letter case) name a folder's main "
        "page, which the site makes itself, so this goal or measure would replace it or be "
        "dropped. Rename the file; a note for people belongs in the README.md at the top of "
        "the repository."
    ),
    "PS120": (
        "Goal 'g21' is 21 levels deep (g21 → g20 → g19 → … → g2 → g1): expected at most 20 "
        "levels of goals, as deep as the results map and the goal pages go. Give it a "
        "parent higher up."
    ),
    "PS122": (
        "'better: down?' is a guess to confirm: which direction is good for this measure? A wrong "
        "one inverts every colour. Write better: up, better: down or better: neutral; until then "
        "it reads as down."
    ),
    "PS121": (
        "The bounds run backwards: lower 100 is not below upper 0. Expected the lowest "
        "possible value first, like bounds: {lower: 0, upper: 100}."
    ),
    "PS201": "Goal 'zzz' does not exist. Known goals: alpha.",
    "PS202": "Parent goal 'nowhere' does not exist.",
    "PS203": (
        "Goals form a cycle through 'parent': g1 → g1000 → g999 → … → g2 → g1. A results "
        "map is a tree: remove one of these parents."
    ),
    "PS204": (
        "Goal 'c20' has no measures and no sub-goals: nothing shows whether it is "
        "happening. Add a measure with 'goal: c20'."
    ),
    "PS205": (
        "'goal' must name a goal, but 'm' is a measure. A measure is evidence of a goal (a "
        "file with kind: goal)."
    ),
    "PS206": (
        "Two roles start in 2025-Q1 (roles[0] and roles[1]). Only one role is in force per "
        "quarter: remove or move one."
    ),
    "PS207": (
        "The event 2026-11 (Retention desk starts) is after the data: the data runs from "
        "2024-01 to 2026-10. The chart shows it once the data reaches 2026-11; check its "
        "date if that is not what you meant."
    ),
    "PS208": ("Goal 'customer' does not exist: an action serves a goal. Did you mean 'customers'?"),
    "PS209": "Measure 'chrun' does not exist. Did you mean 'churn'?",
    "PS210": (
        "The status 'running' on 2026-01-15 comes after 'planned' on 2026-02-01: list the "
        "changes oldest first."
    ),
    "PS301": (
        "Data path '/etc/passwd' is absolute: expected a path inside the repository, like "
        "data/churn.csv."
    ),
    "PS302": "Data file 'data/chrun.csv' does not exist. Did you mean 'data/churn.csv'?",
    "PS303": "The input is empty: expected a CSV with a header like period,value, or numbers.",
    "PS304": (
        "Column 'value' is not in the header: the columns are period, Value. Did you mean 'Value'?"
    ),
    "PS305": (
        "Value 'n/a' in column 'value' is not a number: expected a number like 12.5, or an "
        "empty cell for a missing value."
    ),
    "PS306": (
        "Value '3,7' in column 'value' uses a decimal comma: expected a decimal point. Did "
        "you mean 3.7?"
    ),
    "PS307": (
        "Value '1 234' in column 'value' uses a thousands separator: expected digits only. "
        "Did you mean 1234?"
    ),
    "PS308": (
        "Value 'NaN' in column 'value' is not a finite number: leave the cell empty for a "
        "missing value."
    ),
    "PS309": (
        "The file is separated by semicolons: expected commas, like period,value. Export it "
        "as CSV with commas (in Excel: CSV UTF-8 (Comma delimited))."
    ),
    "PS310": "No data yet in data/m.csv: the chart stays empty until values are added.",
    "PS311": "100% wrong",
    "PS312": "The phase 2030-01 is outside the data: the data runs from 2024-01 to 2025-12.",
    "PS313": "The baseline runs backwards: from 2025-10 to 2025-02. Swap 'from' and 'to'.",
    "PS320": (
        "The row has 2 cells, expected 3 like the header (period, note, value). Add the "
        "missing cells (a cell may be empty)."
    ),
    "PS321": (
        'A quote (") on this line is not closed until line 5: expected one row per line. '
        "Remove the stray quote."
    ),
    "PS322": (
        "The period in column 'period' is empty: expected a monthly period like 2026-03 (or "
        "a date)."
    ),
    "PS323": (
        "Period '2026-W09' is weekly, but the measure is monthly: expected a monthly period "
        "like 2026-03 (or a date), got '2026-W09'."
    ),
    "PS324": (
        "Period 2026-02 appears twice, on lines 3 and 4: expected one row per period. "
        "Remove or merge one."
    ),
    "PS325": (
        "Period 2026-01 comes after 2026-02 (line 2): periods must be in ascending order. "
        "Sort the rows by period."
    ),
    "PS326": (
        "Column 'Note' appears twice in the header (columns 3 and 4): expected unique "
        "names. Rename or remove one."
    ),
    "PS327": (
        "The first row looks like data, not a header: expected column names like "
        "period,value, got 2026-01,1. Add a header row."
    ),
    "PS328": (
        "No column is named 'value' and 2 columns hold numbers: expected one value column, "
        "got period, a, b. Choose one with --column."
    ),
    "PS329": (
        "Value '2e15' in column 'value' is too large: expected a number between -10^15 and "
        "10^15. Write the values in a larger unit (thousands, millions) and say so in "
        "unit:."
    ),
    "PS330": (
        "Period 2206-03 comes 180 years after 2026-02 (line 3): expected periods close "
        "together. Is one of the years mistyped?"
    ),
    "PS331": (
        "Value '1e-400' in column 'value' is too close to zero to store as written (a "
        "computer rounds it toward 0): expected 0, or a number at least 10^-307 away from "
        "0. Write the values in a smaller unit (thousandths, millionths) and say so in "
        "unit:."
    ),
    "PS332": (
        "The file has more than 100,000 rows of data: expected at most 100,000 per measure "
        "(a century of daily data is 36,525 rows). Move older rows to another file, or "
        "record the measure weekly or monthly instead."
    ),
    "PS333": (
        "Value -1 for 2026-01 is below the lower bound of 0 that measures/m.md declares "
        "(limits: bounds:): no value can be there. Correct the value, or the bound. 1 other "
        "value is outside too."
    ),
    "PS334": (
        "The phase from 2025-01 has 6 values, but missing periods leave only 0 moving "
        "ranges between its 6 baseline values, and limits need 4 (five values in a row). It "
        "is shown as a run chart, without limits or signals."
    ),
    "PS335": (
        "The phase from 2025-01 has 12 values, but they do not vary (every moving range of "
        "the baseline is 0), so there is no variation to compute limits from. If the "
        "process does vary, record the values in finer units (more decimals), or over a "
        "longer period than a month. It is shown as a run chart, without limits or signals."
    ),
    "PS336": (
        "The lower natural process limit is -2044.1539, below 0, yet no value has ever been "
        "below 0. If the measure cannot go below 0 (a count, a share, a duration), declare "
        "it under limits: with bounds: {lower: 0}, and the chart shows that boundary "
        "instead of a limit no value can cross. If it can, write bounds: {} to say so."
    ),
    "PS401": (
        "The goal title uses weasel words ('delivery', 'efficient', 'robust'): they mean "
        "different things to different people. Describe what you would see or hear if the "
        "result were happening."
    ),
    "PS402": (
        "The goal title starts with 'implement': it reads as an activity, not a result. "
        "Word it as if the result were already happening, e.g. 'Our systems run without "
        "downtime' rather than 'Upgrade the systems'."
    ),
    "PS403": (
        "The improve role from 2025-Q4 has no target or deadline or owner. A key result "
        "needs a target, a deadline and an owner; otherwise it is a KPI being watched."
    ),
    "PS404": (
        "6 key results under this goal in 2026-Q1 (more than 5): that is the dashboard "
        "wearing a costume. Choose the few you will change this quarter; keep the rest as "
        "sustain (KPIs)."
    ),
    "PS405": (
        "The improve role from 2025-Q2 ended on 2025-09-30: OKRs end. Decide this quarter's "
        "role (2026-Q1): a new improve role with a new deadline, or back to sustain."
    ),
    "PS406": (
        "The target 19 sits inside the current natural process limits (13.28 to 26.72) and "
        "the central line (20) is already at or past it: the process meets it more often "
        "than not without changing, and misses it now and then by chance. It is met every "
        "time only once the lower limit clears it; a key result's target should ask for a "
        "change."
    ),
    "PS407": (
        "The sustain role from 2025-Q1 has a target. Business-as-usual measures are "
        "monitored without targets: remove it, or make the role 'improve' if you mean to "
        "change the level."
    ),
    "PS413": (
        "20 of the latest 20 values (since 2026-W28) are signals: the natural process "
        "limits no longer describe the process. If something changed, record a phase under "
        "'limits: phases:' from when it did; if not, the data may have a trend or a season, "
        "which limits around one central line cannot describe."
    ),
    "PS418": (
        "Stale data: the latest value is for 2026-09, but on 2026-11-23 a monthly measure "
        "should have one for 2026-10. Add the value for 2026-10; until then the site says "
        "that the readings of 'complaints' are out of date."
    ),
    "PS419": (
        "The action is still running, but its planned end was 2026-10-31. Record what "
        "happened: a status done or dropped with its date, or a later end if it goes on."
    ),
    "PS420": (
        "Wishful number: the target 40 is not met unless the process changes, and no planned "
        "or running action aims to move this measure. A target without a means is a wish: "
        "write the action (kind: action) that will change the process."
    ),
    "PS421": (
        "Target without a baseline: the key result starts in 2025-Q2, when the measure has 1 "
        "value and a baseline needs at least 5. Measure first, then set the target: without "
        "limits nobody knows what the process does now."
    ),
    "PS422": (
        "The deadline test: its deadline was pushed out 2 times. A key result that never ends "
        "is a KPI that wandered into the wrong document: make it sustain, or set a deadline "
        "it will keep."
    ),
    "PS423": (
        "Everything is an OKR: 2 key results and 1 KPI in 2026-Q4. If everything is a key "
        "result, nothing has been prioritised: keep a few to change this quarter, and monitor "
        "the rest as KPIs."
    ),
    "PS424": (
        "Passive monitoring of a change: an unwanted signal since 2026-06 has lasted the whole "
        "of 2026-Q3, and no role decision or action followed. Decide: make it an improvement "
        "focus (an improve role), or explain why not in a note."
    ),
    "PS501": "The glossary is a list, not a mapping: expected one 'term: definition' per line.",
    "PS502": "'XmR' expects a definition (text), got a list.",
    "PS503": (
        "Glossary file 'terms.yml' does not exist: expected a YAML file of 'term: "
        "definition' lines. Create it, or fix glossary: in extra: pumpsite:."
    ),
    "PS504": (
        "The glossary path '../glossary.yml' points outside the repository: expected a path "
        "inside the repository, like glossary.yml."
    ),
    "PS505": "'pumpsite' in mkdocs.yml expects a mapping of settings, got text 'wheeler'.",
    "PS506": (
        "The definition of 'Churn' is 1,007 characters long: expected at most 1,000, a few "
        "sentences, as it shows as a tooltip wherever the term appears. Shorten it."
    ),
    "PS507": (
        "The term 'word word word word word word word word…' is 124 characters long: "
        "expected at most 100, a word or a short phrase. Shorten it."
    ),
    "PS508": (
        "The glossary has 502 terms: expected at most 500. Each page carries the "
        "definitions of the terms it mentions: keep the terms your readers need explained."
    ),
    "PS601": (
        "The template does not parse: Unexpected end of template. Jinja was looking for the "
        "following tags: 'elif' or 'else' or 'endif'. The innermost block that needs to be "
        "closed is 'if'. See docs/templates.md."
    ),
    "PS602": (
        "The template failed while rendering index.md: access to attribute 'append' of "
        "'list' object is unsafe. Each template lists its variables in its first comment; "
        "see docs/templates.md."
    ),
    "PS603": "Too slow. It was rendering index.md.",
    "PS604": (
        "The template needed more memory than rendering a page may use, while rendering index.md."
    ),
    "PS605": (
        "The template made a page of more than 20,000,000 characters. It was rendering glossary.md."
    ),
    "PS606": "The process rendering the page templates stopped without an answer (signal 9).",
    "PS700": (
        "Expected the folder where pumpsite keeps its generated MkDocs project, found a "
        "file: pumpsite never writes through a link or over a file. Delete it (if git "
        "tracks it: git rm --cached .pumpsite) and ignore /.pumpsite in .gitignore; the "
        "next build makes the folder."
    ),
    "PS701": (
        "Expected only files and folders pumpsite generates in .pumpsite, found a symbolic "
        "link: pumpsite never writes through a link, which could aim its generated files at "
        "yours. Delete the .pumpsite folder (it is generated: the next build makes it "
        "again); if git tracks it, untrack it with git rm -r --cached .pumpsite and ignore "
        "/.pumpsite in .gitignore."
    ),
    "PS702": (
        "Expected pumpsite's own folder (with its .pumpsite-project file), found a folder "
        "pumpsite did not make: pumpsite keeps its generated MkDocs project here and "
        "deletes the files it no longer generates. Move the folder away, or delete it if "
        "nothing in it is yours."
    ),
    "PS703": (
        "Expected the folder pumpsite builds the site into, found a file. Move or delete "
        "it, or build elsewhere with --site-dir."
    ),
    "PS704": (
        "Expected a site pumpsite built (with the .pumpsite-site file it puts in every "
        "site), found a folder without one: pumpsite replaces the whole folder, so it will "
        "not replace this one. Build into a new or empty folder with --site-dir, or move "
        "this folder away."
    ),
    "PS705": (
        "Could not replace this folder: it is a mount point (or in use). pumpsite builds "
        "the new site beside the old one and swaps the two folders in one step, which a "
        "mount point does not allow. The previous site is unchanged; build into a folder "
        "inside it (--site-dir site/public), or mount the folder above it instead."
    ),
    "PS706": (
        "Could not write the site: No such file or directory. The previous site is "
        "unchanged; fix the cause and build again."
    ),
    "PS800": (
        "'source' needs either file: (records in a file) or query: (SQL), not both or neither."
    ),
    "PS801": (
        "Source file '../exports/r.csv' points outside the repository: expected a path "
        "inside the repository, like data/raw/complaints.csv. A query can read files "
        "elsewhere."
    ),
    "PS802": ("Connection 'warehose' is not defined in mkdocs.yml. Did you mean 'warehouse'?"),
    "PS803": (
        "'warehouse' in extra.pumpsite.connections holds a password: credentials come "
        "from environment variables, never from a file in the repository. Write ${NAME} "
        "where the password goes, like "
        "postgresql://reporter:${PG_PASSWORD}@db.example.com/analytics, and set NAME "
        "where pumpsite pull runs."
    ),
    "PS804": (
        "'warehouse' in extra.pumpsite.connections expects a URL like "
        "duckdb:data/warehouse.duckdb or "
        "postgresql://reporter:${PG_PASSWORD}@db.example.com/analytics, got "
        "'db.example.com'."
    ),
    "PS810": (
        "Source file 'data/raw/nope.csv' does not exist: expected a file of records, one "
        "per row with a header row. Put the export there, or fix file:."
    ),
    "PS811": (
        "Source file 'data/raw/r.xlsx' cannot be read as an .xlsx workbook: File is not a zip file."
    ),
    "PS812": ("Column 'Logged_On' is not in the records. Did you mean 'logged_on'?"),
    "PS813": (
        "Column 'minutes' holds 'x' in record 2: expected a number. Correct the records, "
        "or leave the cell empty."
    ),
    "PS814": (
        "Column 'kind' holds 'complaint' in record 1 (and 1 more): expected a date like "
        "2026-03-31. Correct the records, or leave the cell empty."
    ),
    "PS815": ("None of the 2 records match where:, so there is nothing to pull."),
    "PS816": (
        "Connection 'w' needs the environment variable PUMPSITE_TEST_UNSET, which is not "
        "set. Set it where pumpsite pull runs (in a workflow, from a secret: env: "
        "PUMPSITE_TEST_UNSET: ${{ secrets.PUMPSITE_TEST_UNSET }})."
    ),
    "PS817": (
        "Connection 'w' (postgresql://me:***@127.0.0.1:1/db) cannot be opened: connection "
        'failed: connection to server at "127.0.0.1", port 1 failed: Connection refused.'
    ),
    "PS818": ("The query fails: Catalog Error: Table with name complaints does not exist!."),
    "PS819": (
        "The query returns two rows for 2026-03 (rows 1 and 2): expected one row per "
        "period. Group by the period."
    ),
    "PS820": (
        "1 record has no date in column 'logged_on' and is left out: each record's date "
        "decides its period."
    ),
    "PS821": (
        "The value in row 1 is 1e+16: expected a finite number between -10^15 and 10^15. "
        "Use a larger unit."
    ),
    "PS822": (
        "Cannot write data/m.csv: data is a symbolic link, which pumpsite never writes "
        "through. The previous file is unchanged."
    ),
    "PS823": ("Not pulled: the measure's file has errors. Correct them first (pumpsite check)."),
}
"""A message of each code, as a test asserts it (tests/test_problems.py checks that)."""


def document() -> str:
    parts = [
        "# Problem codes\n\n",
        "Every problem `pumpsite check` (or `build`, `serve`, `publish`) reports has a stable "
        "code. An error stops the build; a warning does too with `--strict`. This page is "
        "generated from `pumpsite/problems.py` by `make docs`: do not edit it by hand.\n",
    ]
    for prefix, title in SECTIONS.items():
        parts.append(f"\n## {prefix}xx: {title}\n\n")
        parts.append("| Code | Severity | Found by | Meaning | Example |\n")
        parts.append("| --- | --- | --- | --- | --- |\n")
        parts += [_row(c) for code, c in sorted(REGISTRY.items()) if code.startswith(prefix)]
    return "".join(parts)


def _row(code: Code) -> str:
    cells = [code.code, code.severity.value, STAGES[code.stage], code.meaning, EXAMPLES[code.code]]
    return "| " + " | ".join(_cell(cell) for cell in cells) + " |\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


if __name__ == "__main__":
    DOC.write_text(document(), encoding="utf-8")
    sys.stdout.write(f"Wrote {DOC}\n")
