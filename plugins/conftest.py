"""Make the shipped plugins importable for their tests even before `pip install -e`.

Installing them (the README's command) is still what registers their entry points;
tests/test_plugins_install.py checks that part.
"""

import sys
from pathlib import Path

for package in sorted(Path(__file__).parent.glob("evalengine-*")):
    if str(package) not in sys.path:
        sys.path.append(str(package))
