"""Success managers' student pages in the admin (built in issue 7)."""
