from sim.studio.cli import main

raise SystemExit(main())
