/** The kit's version, recorded in every trace. */
export const KIT_VERSION = '0.3.0';
