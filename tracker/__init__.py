"""SiamRPN tracker: network, anchors, crop, proposal selection, weight loading and training."""
