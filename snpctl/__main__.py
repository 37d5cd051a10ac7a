from snpctl.entry import main

main()
