"""QObjects that own threads and processes and turn core calls into signals. No widgets here."""
