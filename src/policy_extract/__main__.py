"""``python -m policy_extract`` runs the command line."""

from policy_extract.cli import main

main()
