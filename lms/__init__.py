"""The learning-management core: what must outlive a class lives here."""
