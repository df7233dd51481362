"""Model builders, one module per family, and a registry to build them by name.

    >>> from course_lib.models import available, build, vgg16
    >>> [info.name for info in available("vgg*")]
    ['vgg11', 'vgg13', 'vgg16', 'vgg19']
    >>> model = build("alexnet", variant="cifar10")

Every builder is a plain function that returns a named ``keras.Model`` built with the
functional API, with keyword-only arguments shared by all families (``input_shape``,
``num_classes`` — keras.applications' ``classes`` —, ``include_top``, ``pooling``,
``classifier_activation``), then the family's own knobs, then ``name``; ``help()``
and ``inspect.signature()`` show them all. Arguments are checked before Keras sees
them (``ValueError``: the rule, then ``Received: ...``): a misspelt keyword names the
closest one (``vgg16(num_class=10)``: did you mean 'num_classes'?), a flag must be a
bool, integers may be NumPy integers.
Builders use Keras layers and ``keras.ops`` only, channels last, so they run on any
Keras 3 backend.

Layer names, one scheme for every family, so that lessons can ``get_layer()`` by place:

    input                       the model input
    stem_<op>                   a stem that differs from the blocks (later families)
    block<b>_conv<i>            the i-th convolution of block b (both count from 1);
                                a block is what the paper groups together: a VGG
                                block ends at a pooling, an AlexNet block is one of
                                the paper's conv1..conv5, LeNet's are C1+S2 and C3+S4
    block<b>_bn<i>, _relu<i>    its batch norm and activation, when not fused
    block<b>_pad<i>             explicit zero padding before conv i
    block<b>_lrn, block<b>_pool the block's normalisation and pooling
    stage<s>_block<b>_<op>      residual and dense networks: unit b of stage s (a
                                stage is the units at one resolution, the paper's
                                conv<s>_x), e.g. stage2_block1_conv1, ..._add, ..._out;
                                course_lib.models.resnet and .densenet list the ops
    transition<s>_<op>          DenseNet's transition after stage s
    head_flatten, head_pool     flattening before the dense layers, or global pooling
    fc<i>, fc<i>_dropout        the i-th hidden dense layer and its dropout
    predictions                 the classifier

Adding a family: write its module (configuration table, blocks, one generic private
builder, thin public builders decorated with ``@register_model(...)`` that spell out
every argument), then add one import line below. The tests are parametrised over
the registry, so a new builder is tested without editing them. A large family keeps
its blocks and generic builder in ``<family>_blocks.py`` (resnet_blocks,
inception_blocks) and its public builders in ``<family>.py``, which re-exports them.
"""

from course_lib.models._registry import (
    ModelInfo,
    available,
    build,
    get_builder,
    register_model,
)

# One line per family: importing its module registers its builders. stems holds
# lesson 06b's first-layer experiment (not registered); vgg_block and config_blocks
# are the pieces lesson 07 shows.
from course_lib.models.alexnet import alexnet, zfnet
from course_lib.models.densenet import (
    dense_block,
    densenet121,
    densenet169,
    densenet201,
    densenet_bc_cifar,
    transition_block,
)
from course_lib.models.inception import (
    aux_loss_weights,
    googlenet,
    googlenet_cifar,
    inception_module,
    without_aux_heads,
)
from course_lib.models.lenet import lenet5
from course_lib.models.mobilenet import mobilenet_v1, mobilenet_v2
from course_lib.models.resnet import (
    basic_block,
    bottleneck_block,
    plain_cifar,
    resnet18,
    resnet34,
    resnet50,
    resnet101,
    resnet152,
    resnet_cifar,
)
from course_lib.models.shufflenet import shufflenet_v1, shufflenet_v2
from course_lib.models.small_convnets import keras_io_convnet, relu_tanh_convnet
from course_lib.models.squeezenet import fire_module, squeezenet
from course_lib.models.stems import high_frequency_share, stem_net, upsample
from course_lib.models.vgg import (
    config_blocks,
    vgg11,
    vgg13,
    vgg16,
    vgg19,
    vgg_block,
)
