"""DNN Explorer's NumPy core: the course's deep network, a live training engine, data and photos.

This package never imports a UI library.
"""
from .activations import HIDDEN_ACTIVATIONS, leaky_relu, relu, sigmoid, tanh
from .config import DTYPES, LIVE_FIELDS, TrainConfig, check_memory, estimate_memory_bytes, parameter_count
from .core import (
    LayerCache, LinearCache, L_model_backward, L_model_forward, compute_cost, linear_activation_backward,
    linear_activation_forward, linear_backward, linear_forward, predict, predict_proba, update_parameters,
)
from .engine import History, Snapshot, Status, Trainer
from .first_layer import FirstLayer
from .optimizers import OPTIMIZERS, Optimizer
from .regularizers import REGULARIZERS, Regularizer
from .schedules import DECAYS
from .init import INITIALIZATIONS, initialize_parameters, initialize_parameters_deep
from .models import L_layer_model, two_layer_model
from .gradcheck import gradient_check
from .data import Dataset, catvnoncat_dataset, find_data_dir, flatten_images, load_catvnoncat, load_catvnoncat_files
from .modelio import SavedModel, load_model, save_model
from .persist import load_run, save_run
from .photo import Photo, load_photo, prepare_photo
from .pixels import Pixels
from .split import split_sizes
from .synthetic import make_synthetic_cats, synthetic_dataset
from .toy import TOY_DATASETS, make_toy_dataset, toy_dataset
from .zipdata import load_photo_zip
