"""``python -m trace ...``: the command line (see ``trace/cli/``)."""

from .cli import main

if __name__ == "__main__":
    main()
