"""`pumpsite diff`: the statistical news between two git states of a measures repository.

`run` reads the two states (through `pumpsite.gitstate`) and inspects them at one report date,
`compare` turns two inspections into a list of `Change`s (pure), and `report` writes them as a
pull-request comment or JSON.
"""

from pumpsite.diff.change import Change, Diff
from pumpsite.diff.compare import compare
from pumpsite.diff.report import render_json, render_markdown
from pumpsite.diff.run import diff_revisions

__all__ = ["Change", "Diff", "compare", "diff_revisions", "render_json", "render_markdown"]
