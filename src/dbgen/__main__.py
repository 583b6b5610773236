from dbgen.cli import main

main()
