"""The argparse type every ``trustbot`` subcommand registers itself on."""

from __future__ import annotations

import argparse
from typing import TypeAlias

#: A string, because argparse's class cannot be subscripted at run time.
Subcommands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"

__all__ = ["Subcommands", "argparse"]
