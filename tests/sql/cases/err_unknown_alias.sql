SELECT z.meter FROM bronze.readings r
