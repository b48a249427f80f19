"""How we know it is good: curated questions with gold record ids, metrics computed from
result rows, and an HTML report per run under `eval/results/<timestamp>/`."""
