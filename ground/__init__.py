"""The ground every package stands on: settings, atomic file writes, spreadsheet reading, the CLI helper and the
shared vocabulary. It imports nothing of ours, so that academy → questionbank / grading / tracker → ground has one
direction (DESIGN.md, rules of the house)."""
