/**
 * {@code --pretrained_model}: weights from a dml4j checkpoint, the original's per-parameter files
 * (PaddlePaddle LoDTensor) or a Keras HDF5 file, copied by name and shape into a network.
 */
package org.dml4j.model.weights;
