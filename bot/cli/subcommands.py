"""The argparse type every ``trustbot`` subcommand registers itself on."""

from __future__ import annotations

import argparse

Subcommands = argparse._SubParsersAction[argparse.ArgumentParser]
