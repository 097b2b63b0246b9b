from casescore.cli.app import main

main()
