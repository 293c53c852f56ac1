"""gimexport: incremental export of a PostgreSQL Genesys Info Mart.

The package core never imports click or rich; ``gim_export.cli`` is the only
module that talks to a terminal.
"""

import logging

__version__ = "0.1.0"

logging.getLogger(__name__).addHandler(logging.NullHandler())
