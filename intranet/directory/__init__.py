"""The directory (OpenLDAP or Active Directory): sign-in, agent and department sync."""
