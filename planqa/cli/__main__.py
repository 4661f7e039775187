import sys

from planqa.cli.main import main

sys.exit(main())
