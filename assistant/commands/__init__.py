"""The command groups of `python -m assistant`, next to the code they drive; each
command reads the settings and builds what it needs (through `assistant.factory`)."""
