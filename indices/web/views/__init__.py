"""Server-rendered pages for clerks, readers and the secretariat (session sign-in)."""
