package org.dml4j.model.weights;

import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Weights read from a file in another layout, already converted to ours.
 *
 * @param params values keyed by our parameter name ({@code layer_param})
 * @param names  for each of our parameters the file has a name for, that name (to report it)
 * @param unused names of tensors in the file that no parameter of ours took
 */
record ImportedWeights(Map<String, INDArray> params, Map<String, String> names, List<String> unused) {
}
