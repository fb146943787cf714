"""Every write the directory makes: agents, departments, sync runs and their schedule."""
