"""The XmR analysis of each measure and its reading in words. Pure: values in, values out."""
