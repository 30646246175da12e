SELECT r.lodkwh FROM bronze.readings r
