enum SolanaPlaceholder {}
