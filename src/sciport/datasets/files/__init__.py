"""Building blocks of dataset files with no database in them: path rules, ranges, ZIP streams, BagIt, previews, unpacking."""
