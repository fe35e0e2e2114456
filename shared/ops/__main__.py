from shared.ops.cli import main

raise SystemExit(main())
