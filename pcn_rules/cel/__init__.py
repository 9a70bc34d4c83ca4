"""CEL, the condition language: the only code that imports the CEL binding."""
