from snpctl.cli import main

main()
