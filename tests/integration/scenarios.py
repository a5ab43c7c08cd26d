#!/usr/bin/env python3
"""Integration scenarios: placeholder until the harness lands."""
import sys
if sys.argv[1:] == ["--list"]:
    print("placeholder")
    sys.exit(0)
sys.exit(0)
