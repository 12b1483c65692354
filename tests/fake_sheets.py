"""The Sheets API emulator ships with phoihop, for plugin authors too
(:mod:`phoihop_testing.sheets_emulator`); the project's tests import it by this older name."""
import sys

from phoihop_testing import sheets_emulator

sys.modules[__name__] = sheets_emulator
