"""``python -m mechsim`` runs the command line."""

from mechsim.cli import main

main()
