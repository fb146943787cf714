"""An agent's rights over their data: exports, anonymisation of leavers, erasure."""
