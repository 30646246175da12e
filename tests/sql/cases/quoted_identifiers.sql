SELECT "Body Mass (g)" AS mass, "Species" FROM bronze.spaced WHERE "Body Mass (g)" > 4000
