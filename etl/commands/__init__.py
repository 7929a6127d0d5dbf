"""One module per `mlyetl` sub-command; each exposes a click object named `command`."""
