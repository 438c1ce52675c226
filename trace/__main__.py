"""``python -m trace ...``: the command line (see ``trace/cli.py``)."""

from .cli import main

if __name__ == "__main__":
    main()
