"""The weekly crypto market report: week of record → facts → story → pages."""
