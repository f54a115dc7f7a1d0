"""DNN Explorer's NumPy core: the course's deep network, a live training engine, data and photos.

This package never imports a UI library.
"""
from .activations import HIDDEN_ACTIVATIONS, leaky_relu, relu, sigmoid, tanh
from .config import DTYPES, LIVE_FIELDS, TrainConfig, check_memory, estimate_memory_bytes, parameter_count
from .core import (
    L_model_backward,
    L_model_forward,
    LayerCache,
    LinearCache,
    compute_cost,
    linear_activation_backward,
    linear_activation_forward,
    linear_backward,
    linear_forward,
    predict,
    predict_proba,
    update_parameters,
)
from .data import Dataset, catvnoncat_dataset, find_data_dir, flatten_images, load_catvnoncat, load_catvnoncat_files
from .engine import History, Snapshot, Status, Trainer
from .first_layer import FirstLayer
from .gradcheck import gradient_check
from .init import INITIALIZATIONS, initialize_parameters, initialize_parameters_deep
from .modelio import SavedModel, load_model, save_model
from .models import L_layer_model, two_layer_model
from .optimizers import OPTIMIZERS, Optimizer
from .persist import load_run, save_run
from .photo import Photo, load_photo, prepare_photo
from .pixels import Pixels
from .regularizers import REGULARIZERS, Regularizer
from .schedules import DECAYS
from .split import split_sizes
from .synthetic import make_synthetic_cats, synthetic_dataset
from .toy import TOY_DATASETS, make_toy_dataset, toy_dataset
from .zipdata import load_photo_zip

__all__ = [
    "catvnoncat_dataset", "check_memory", "compute_cost", "Dataset", "DECAYS", "DTYPES",
    "estimate_memory_bytes", "find_data_dir", "FirstLayer", "flatten_images", "gradient_check",
    "HIDDEN_ACTIVATIONS", "History", "INITIALIZATIONS", "initialize_parameters", "initialize_parameters_deep",
    "L_layer_model", "L_model_backward", "L_model_forward", "LayerCache", "leaky_relu",
    "linear_activation_backward", "linear_activation_forward", "linear_backward", "linear_forward",
    "LinearCache", "LIVE_FIELDS", "load_catvnoncat", "load_catvnoncat_files", "load_model", "load_photo",
    "load_photo_zip", "load_run", "make_synthetic_cats", "make_toy_dataset", "Optimizer", "OPTIMIZERS",
    "parameter_count", "Photo", "Pixels", "predict", "predict_proba", "prepare_photo", "Regularizer",
    "REGULARIZERS", "relu", "save_model", "save_run", "SavedModel", "sigmoid", "Snapshot", "split_sizes",
    "Status", "synthetic_dataset", "tanh", "toy_dataset", "TOY_DATASETS", "TrainConfig", "Trainer",
    "two_layer_model", "update_parameters",
]
