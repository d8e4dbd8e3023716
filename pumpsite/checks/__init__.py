"""Problems beyond syntax: references across files, PuMP lint, and the inspection that `pumpsite
check` runs (load → checks → analysis → lint)."""
