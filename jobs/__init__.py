"""Time-driven and outbound work the worker runs: the dunning planner and message delivery."""
