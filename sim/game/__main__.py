from sim.game.cli import main

raise SystemExit(main())
