/**
 * The network definition: backbones, the embedding network with its head, checkpoints, and the
 * two layer configurations of ours that saved models name ({@link org.dml4j.model.GemmConvolution},
 * {@link org.dml4j.model.RegularizedBatchNorm}; DL4J stores their class names in model.zip, so they
 * stay where they are). Their CPU kernels are in {@link org.dml4j.model.cpu}, weight import in
 * {@link org.dml4j.model.weights}.
 */
package org.dml4j.model;
