"""`python -m govkit.cli …`: the govkit command line."""

from govkit.cli import main

if __name__ == "__main__":
    main()
