/**
 * Who is acting: a devnet dev account (derived in the browser; the node submits its transactions) or a browser
 * wallet (EIP-6963; the node returns unsigned transactions that the wallet sends). Both sign in with SIWE through the
 * SDK's `signIn`; tokens are kept per account in `localStorage` and refreshed with the refresh token.
 */
import { refreshSession, type SignInReturnType, signIn, type TransactMode } from '@souk/sdk';
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useRef, useState } from 'react';
import type { Address, LocalAccount } from 'viem';
import { toAccount } from 'viem/accounts';
import { type Connector, useConfig, useConnection, useDisconnect } from 'wagmi';
import { connect, getConnection, signMessage, signTypedData } from 'wagmi/actions';
import { devAccount } from '../lib/devAccounts.ts';
import { type ReadableError, readableError } from '../lib/errors.ts';
import { useNode } from './useNode.tsx';

/** The account the app acts as. */
export type Identity =
  | { kind: 'dev' /** Dev account index, 0–9. */; index: number; address: Address }
  | { kind: 'wallet'; address: Address /** The wallet's name, e.g. `MetaMask`. */; wallet: string };

export type SessionValue = {
  identity: Identity | null;
  /** The client holds a valid access token for `identity`. */
  signedIn: boolean;
  /** A sign-in is under way (a wallet may be asking its user). */
  signingIn: boolean;
  error: ReadableError | null;
  /** How writes go: the node submits for dev accounts; wallets get unsigned transactions. */
  mode: TransactMode;
  /**
   * Signs as `identity` in this browser: the dev account's derived key, or the wallet (EIP-712 typed data and
   * messages go to it through wagmi; it sends its own transactions). Null when nobody is selected.
   */
  account: LocalAccount | null;
  /** Acts as dev account `index` (devnet only) and signs in. */
  selectDevAccount: (index: number) => Promise<void>;
  /** Connects a browser wallet and signs in with it. */
  connectWallet: (connector: Connector) => Promise<void>;
  /** Forgets the account and its tokens. */
  signOut: () => void;
  /**
   * Makes sure the client carries a valid access token, signing in again or refreshing when needed.
   * @throws {Error} when nobody is selected, or the sign-in fails.
   */
  ensureSignedIn: () => Promise<void>;
};

const SessionContext = createContext<SessionValue | undefined>(undefined);

type StoredTokens = { accessToken: string; accessUntil: number; refreshToken: string; refreshUntil: number };
const IDENTITY_KEY = 'souk:identity';
const tokensKey = (chainId: number, address: string) => `souk:tokens:${chainId}:${address.toLowerCase()}`;

function readJson<T>(key: string): T | undefined {
  try {
    const text = localStorage.getItem(key);
    return text ? (JSON.parse(text) as T) : undefined;
  } catch {
    return undefined;
  }
}

/** Provides the session. Needs {@link useNode} and wagmi above it. */
export function SessionProvider({ children }: { children: ReactNode }) {
  const { client, info } = useNode();
  const config = useConfig();
  const connection = useConnection();
  const { mutate: disconnect } = useDisconnect();
  const [identity, setIdentity] = useState<Identity | null>(() => {
    const stored = readJson<{ kind: 'dev'; index: number }>(IDENTITY_KEY);
    if (stored?.kind === 'dev' && info.devnet)
      return { kind: 'dev', index: stored.index, address: devAccount(stored.index).address };
    return null;
  });
  const [signedIn, setSignedIn] = useState(false);
  const [signingIn, setSigningIn] = useState(false);
  const [error, setError] = useState<ReadableError | null>(null);
  const inFlight = useRef<Promise<void> | undefined>(undefined);
  const identityRef = useRef(identity);
  identityRef.current = identity;

  const accountFor = useCallback(
    (who: Identity): LocalAccount => {
      if (who.kind === 'dev') return devAccount(who.index);
      return toAccount({
        address: who.address,
        signMessage: ({ message }) => signMessage(config, { message, account: who.address }),
        signTypedData: (typedData) =>
          signTypedData(config, { ...(typedData as Parameters<typeof signTypedData>[1]), account: who.address }),
        signTransaction: () => Promise.reject(new Error('Transactions are sent by the wallet, not signed here.')),
      });
    },
    [config],
  );

  const store = useCallback(
    (address: string, tokens: SignInReturnType) => {
      const now = Date.now();
      const value: StoredTokens = {
        accessToken: tokens.accessToken,
        accessUntil: now + tokens.accessTokenExpiresIn * 1000,
        refreshToken: tokens.refreshToken,
        refreshUntil: now + tokens.refreshTokenExpiresIn * 1000,
      };
      localStorage.setItem(tokensKey(info.chainId, address), JSON.stringify(value));
    },
    [info.chainId],
  );

  /**
   * Valid token → use it; else refresh; else sign a SIWE message. The refresh runs under a Web Lock shared by the
   * tabs: a refresh token works once, and the node revokes the whole sign-in when a rotated one comes back, so two
   * tabs must never refresh with the same token (the second re-reads what the first stored).
   */
  const authenticate = useCallback(
    async (who: Identity) => {
      const key = tokensKey(info.chainId, who.address);
      const refreshed = async (): Promise<boolean> => {
        const saved = readJson<StoredTokens>(key);
        const now = Date.now();
        if (saved && saved.accessUntil - now > 30_000) {
          client.accessToken = saved.accessToken;
          return true;
        }
        if (saved && saved.refreshUntil - now > 30_000) {
          try {
            store(who.address, await refreshSession(client, { refreshToken: saved.refreshToken }));
            return true;
          } catch {
            localStorage.removeItem(key); // used or revoked: sign in again
          }
        }
        return false;
      };
      const locks = typeof navigator === 'undefined' ? undefined : navigator.locks;
      const done = locks ? await locks.request(`souk-refresh:${key}`, refreshed) : await refreshed();
      if (done) return;
      store(who.address, await signIn(client, { account: accountFor(who) }));
    },
    [client, info.chainId, accountFor, store],
  );

  const begin = useCallback(
    async (who: Identity) => {
      setIdentity(who);
      identityRef.current = who;
      setSignedIn(false);
      setError(null);
      client.accessToken = undefined;
      localStorage.setItem(IDENTITY_KEY, JSON.stringify(who));
      setSigningIn(true);
      const attempt = authenticate(who);
      inFlight.current = attempt;
      try {
        await attempt;
        if (identityRef.current === who) setSignedIn(true);
      } catch (cause) {
        if (identityRef.current === who) setError(readableError(cause));
        throw cause;
      } finally {
        if (inFlight.current === attempt) inFlight.current = undefined;
        setSigningIn(false);
      }
    },
    [client, authenticate],
  );

  const selectDevAccount = useCallback(
    async (index: number) => {
      if (connection.status === 'connected') disconnect({});
      await begin({ kind: 'dev', index, address: devAccount(index).address });
    },
    [begin, connection.status, disconnect],
  );

  const connectWallet = useCallback(
    async (connector: Connector) => {
      setError(null);
      try {
        // wagmi may already have reconnected this wallet (it remembers authorised wallets).
        const current = getConnection(config);
        const accounts =
          current.status === 'connected' && current.connector?.uid === connector.uid
            ? current.addresses
            : (
                await connect(config, { connector, chainId: info.chainId }).catch(async (cause) => {
                  // Some wallets do not know the chain yet: connect first, switch when sending.
                  const name = (cause as Error).name;
                  if (name === 'SwitchChainError' || name === 'ChainNotConfiguredError')
                    return connect(config, { connector });
                  if (name === 'ConnectorAlreadyConnectedError')
                    return { accounts: getConnection(config).addresses ?? [] };
                  throw cause;
                })
              ).accounts;
        const address = accounts?.[0];
        if (!address) throw new Error('The wallet shared no account.');
        await begin({ kind: 'wallet', address, wallet: connector.name });
      } catch (cause) {
        setError(readableError(cause));
      }
    },
    [config, info.chainId, begin],
  );

  const signOut = useCallback(() => {
    const who = identityRef.current;
    if (who) localStorage.removeItem(tokensKey(info.chainId, who.address));
    localStorage.removeItem(IDENTITY_KEY);
    client.accessToken = undefined;
    identityRef.current = null;
    setIdentity(null);
    setSignedIn(false);
    setError(null);
    if (who?.kind === 'wallet') disconnect({});
  }, [client, info.chainId, disconnect]);

  const ensureSignedIn = useCallback(async () => {
    const who = identityRef.current;
    if (!who) throw new Error('Choose an account first (the account menu at the top of the page).');
    if (inFlight.current) return inFlight.current;
    await authenticate(who);
    setSignedIn(true);
  }, [authenticate]);

  // Restore the stored dev account once.
  // biome-ignore lint/correctness/useExhaustiveDependencies: only at mount
  useEffect(() => {
    const who = identityRef.current;
    if (who && !inFlight.current) begin(who).catch(() => {});
  }, []);

  // The wallet reconnected after a reload, switched accounts, or disconnected.
  useEffect(() => {
    const who = identityRef.current;
    if (!who && connection.status === 'connected' && connection.address) {
      const stored = readJson<Identity>(IDENTITY_KEY);
      if (stored?.kind === 'wallet' && stored.address.toLowerCase() === connection.address.toLowerCase()) {
        begin(stored).catch(() => {});
      }
      return;
    }
    if (who?.kind !== 'wallet') return;
    if (connection.status === 'disconnected') signOut();
    else if (connection.address && connection.address.toLowerCase() !== who.address.toLowerCase()) {
      begin({ kind: 'wallet', address: connection.address, wallet: who.wallet }).catch(() => {});
    }
  }, [connection.status, connection.address, begin, signOut]);

  const account = useMemo(() => (identity ? accountFor(identity) : null), [identity, accountFor]);
  const value = useMemo<SessionValue>(
    () => ({
      identity,
      account,
      signedIn,
      signingIn,
      error,
      mode: identity?.kind === 'wallet' ? 'unsigned' : 'submit',
      selectDevAccount,
      connectWallet,
      signOut,
      ensureSignedIn,
    }),
    [identity, account, signedIn, signingIn, error, selectDevAccount, connectWallet, signOut, ensureSignedIn],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

/** The session. @throws {Error} outside a {@link SessionProvider}. */
export function useSession(): SessionValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession must be used inside <SessionProvider>.');
  return value;
}
