"""Export a top-down heatmap model (backbone + neck + head, and a garment
category head where the model has one) to ONNX.

``onnx`` is optional (``requirements/optional.txt``): it is imported by the
functions that need it."""
import json
import warnings
from typing import Dict, Optional, Tuple, Union

import torch
import torch.nn as nn

from ..version import __version__

__all__ = [
    'HeatmapForward', 'export_onnx', 'read_onnx_metadata', 'DEFAULT_OPSET',
    'METADATA_PREFIX'
]

#: The default ONNX opset: supported by torch's TorchScript exporter, by
#: onnx >= 1.12 and by every onnxruntime >= 1.12.
DEFAULT_OPSET = 17
#: Keys of the metadata an exported file carries (config, keypoints).
METADATA_PREFIX = 'mmpose_cloth.'


class HeatmapForward(nn.Module):
    """The network part of a :class:`TopdownPoseEstimator`: backbone, neck
    and head, returning the final heatmaps.

    A head that returns several heatmap sets (``CPNHead``: the GlobalNet
    levels, then RefineNet; MSPN-like heads) gives its last one, the one its
    ``predict`` decodes; a ``HeatmapHead`` gives its only output. A model
    with a garment-category head
    (:class:`~mmpose_cloth.models.GarmentPoseEstimator`) also gives the
    category logits from the same features. A model whose keypoint head is
    conditioned on the category (``category_condition``) takes a second
    input, the category to condition each image on: an index into
    ``CATEGORIES`` (a given category, as ``test_cfg.category_source=
    'given'``), or -1 for the predicted one (the argmax of the logits, as
    ``'predicted'``).

    Args:
        model (nn.Module): a top-down pose estimator (eval mode).

    Shape:
        - inputs: (B, 3, H, W), normalised as by the model's
          ``data_preprocessor``
        - category: (B,) int64, with ``category_condition`` only; ``None``:
          all -1
        - output: (B, K, h, w) heatmaps; with a category head the pair
          (heatmaps, (B, 5) category logits)
    """

    def __init__(self, model: nn.Module):
        super().__init__()
        self.model = model

    @property
    def with_category(self) -> bool:
        """Whether the network also outputs category logits."""
        return getattr(self.model, 'category_head', None) is not None

    @property
    def with_condition(self) -> bool:
        """Whether the network takes the category input."""
        return getattr(self.model, 'category_condition', None) is not None

    def forward(self,
                inputs: torch.Tensor,
                category: Optional[torch.Tensor] = None
                ) -> Union[torch.Tensor, Tuple[torch.Tensor, torch.Tensor]]:
        feats = self.model.extract_feat(inputs)
        logits = self.model.category_head.forward(feats) \
            if self.with_category else None
        kfeats = feats
        if self.with_condition:
            if logits is None:
                raise NotImplementedError(
                    'the model conditions its keypoints on a given garment '
                    'category and has no category head: an exported '
                    'network could not predict the category where none is '
                    'given')
            labels = logits.argmax(-1)
            if category is not None:
                labels = torch.where(category >= 0, category, labels)
            kfeats = tuple(self.model.category_condition(feats, labels))
        out = self.model.head.forward(kfeats)
        if isinstance(out, (list, tuple)):
            out = out[-1]
        if not isinstance(out, torch.Tensor) or out.dim() != 4:
            raise NotImplementedError(
                f'{type(self.model.head).__name__} does not return heatmaps '
                '(B, K, H, W); only heatmap heads can be exported')
        if self.with_category:
            return out, logits
        return out


def _decoder_sizes(cfg) -> Tuple[Tuple[int, int], Tuple[int, int]]:
    dec = cfg.model.head.get('decoder')
    if dec is None or 'heatmap_size' not in dec:
        raise NotImplementedError(
            'the model\'s head has no heatmap decoder (model.head.decoder '
            'with input_size and heatmap_size); only heatmap heads can be '
            'exported')
    return tuple(dec['input_size']), tuple(dec['heatmap_size'])


def export_onnx(model: nn.Module,
                out_file: str,
                opset: int = DEFAULT_OPSET,
                dynamic_batch: bool = True,
                verbose: bool = False) -> Dict[str, object]:
    """Export ``model``'s network (:class:`HeatmapForward`) to ONNX.

    The input size is that of the model's decoder (``model.cfg``; see
    :func:`mmpose_cloth.utils.set_input_size` to change it before building
    the model). The
    file carries metadata for :class:`OnnxGarmentPredictor`: the config
    (``mmpose_cloth.config``), the keypoint names and flip indices
    (``mmpose_cloth.dataset_meta``) and the input size. A model with a
    category head gets a second output, ``category_logits`` (B, 5); one
    conditioned on the category a second input, ``category`` (B,) int64
    (-1: the predicted category; see :class:`HeatmapForward`).

    Args:
        model (nn.Module): a top-down pose estimator from
            :func:`mmpose.apis.init_model` (it has ``cfg`` and
            ``dataset_meta``).
        out_file (str): the ``.onnx`` file to write.
        opset (int): the ONNX opset.
        dynamic_batch (bool): a variable batch size (axis 0).
        verbose (bool): print the exporter's graph.

    Returns:
        dict: ``input_size`` (W, H), ``heatmap_size`` (W, H),
        ``num_keypoints``, ``opset``, ``inputs`` and ``outputs`` (the
        names).
    """
    import onnx
    max_opset = _max_opset()
    if not 7 <= opset <= max_opset:
        raise ValueError(f'opset {opset} is not supported here: torch\'s '
                         f'exporter and onnx {onnx.__version__} take 7 to '
                         f'{max_opset}')
    (w, h), (hw, hh) = _decoder_sizes(model.cfg)
    net = HeatmapForward(model).eval()
    device = next(model.parameters()).device
    dummy = (torch.zeros(1, 3, h, w, device=device), )
    inputs = ['input']
    if net.with_condition:
        dummy += (torch.full((1, ), -1, dtype=torch.long, device=device), )
        inputs.append('category')
    with torch.no_grad():
        out = net(*dummy)
    outputs = ['heatmaps']
    if net.with_category:
        out = out[0]
        outputs.append('category_logits')
    if tuple(out.shape[-2:]) != (hh, hw):
        raise ValueError(
            f'the head gives {out.shape[-1]}x{out.shape[-2]} heatmaps for a '
            f'{w}x{h} input, but the decoder expects {hw}x{hh}')
    axes = {name: {0: 'batch'} for name in inputs + outputs} \
        if dynamic_batch else None
    with warnings.catch_warnings():
        # torch >= 2.9 deprecates the TorchScript-based exporter, which
        # needs only `onnx` (the dynamo one also needs `onnxscript`).
        warnings.simplefilter('ignore', DeprecationWarning)
        # shape checks in heads (asserts, size comparisons) are constant for
        # a fixed input size; only the batch axis varies
        warnings.simplefilter('ignore', torch.jit.TracerWarning)
        torch.onnx.export(
            net, dummy,
            out_file,
            input_names=inputs,
            output_names=outputs,
            dynamic_axes=axes,
            opset_version=opset,
            do_constant_folding=True,
            verbose=verbose,
            dynamo=False)
    meta = model.dataset_meta
    id2name = meta['keypoint_id2name']
    props = {
        'config': model.cfg.pretty_text,
        'dataset_meta': json.dumps(
            dict(keypoint_names=[id2name[i] for i in range(len(id2name))],
                 flip_indices=list(map(int, meta['flip_indices'])))),
        'input_size': json.dumps([w, h]),
        'heatmap_size': json.dumps([hw, hh]),
        'version': __version__,
    }
    proto = onnx.load(out_file)
    onnx.checker.check_model(proto)
    del proto.metadata_props[:]
    for k, v in props.items():
        entry = proto.metadata_props.add()
        entry.key, entry.value = METADATA_PREFIX + k, v
    proto.producer_name = 'mmpose-cloth'
    onnx.save(proto, out_file)
    return dict(input_size=(w, h), heatmap_size=(hw, hh),
                num_keypoints=int(out.shape[1]), opset=opset,
                inputs=inputs, outputs=outputs)


def _max_opset() -> int:
    import onnx
    try:
        from torch.onnx._constants import \
            ONNX_TORCHSCRIPT_EXPORTER_MAX_OPSET as torch_max
    except ImportError:  # older torch
        torch_max = 17
    return min(torch_max, onnx.defs.onnx_opset_version())


def read_onnx_metadata(path_or_session) -> Dict[str, str]:
    """The ``mmpose_cloth.*`` metadata of an exported file (or of an
    ``onnxruntime.InferenceSession``), without the prefix."""
    if isinstance(path_or_session, str):
        import onnx
        props = {p.key: p.value
                 for p in onnx.load(path_or_session,
                                    load_external_data=False).metadata_props}
    else:
        props = path_or_session.get_modelmeta().custom_metadata_map
    n = len(METADATA_PREFIX)
    return {k[n:]: v for k, v in props.items()
            if k.startswith(METADATA_PREFIX)}
