"""``python -m etl.demo``: see :func:`etl.demo.main`."""
from etl.demo import main

raise SystemExit(main())
